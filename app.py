"""Start the article-qa web UI. With no index yet, build one from the bundled sample corpus.

    python app.py [--index DIR] [--host 127.0.0.1] [--port 7860] [--auth USER:PASSWORD] [--watch PATH...]
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index", default=os.path.join(HERE, "index", "default"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", default=os.environ.get("QA_AUTH"), help="USER:PASSWORD (or QA_AUTH)")
    p.add_argument("--watch", nargs="+", metavar="PATH",
                   help="keep the index in step with these folders while serving (when they change)")
    args = p.parse_args(argv)

    from qa.errors import QAError
    from qa.serving import serve
    from qa.ui import SAMPLE_QUESTIONS

    # Relative when possible: references read samples/news/world.txt:1-6, not a long path.
    samples = os.path.relpath(os.path.join(HERE, "samples", "news"))
    default = os.path.abspath(args.index) == os.path.join(HERE, "index", "default")
    try:
        serve(args.index, host=args.host, port=args.port, auth=args.auth,
              build_from=[samples] if default and not args.watch else None,
              examples=SAMPLE_QUESTIONS if default and not args.watch else None, watch=args.watch)
    except QAError as exc:
        print(f"app.py: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
