"""Questions written for ../shared/seeds (real articles in the users' format: a story a
blank-line block of a .txt, its first sentence its title), each with a string its answer holds:
how often the first hit holds it, and how often the first hit's top highlight does.

    python benchmarks/seeds.py

Written on 2026-12-04 by reading the stories: the first 20 (of the first file) before the change
they were used to check (qa.highlight.RankedPassage), the rest after it; the default settings, an
index built in a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEEDS = ROOT.parent / "shared" / "seeds"

QUESTIONS = [
    ("How many people attended the 2023 Fightback congress?", "250"),
    ("Who led the Russian delegation at the Cuba-Russia forum?", "Boris Titov"),
    ("How long are the land concessions offered to Russian capitalists in Cuba?", "30-year"),
    ("When will the US government run out of money to pay its bills?", "1 June"),
    ("Which article of the constitution did Guillermo Lasso use?", "Article 148"),
    ("Why did Lasso shut down the National Congress?", "impeachment"),
    ("What threatens writing as a career in Hollywood?", "streaming"),
    ("What is AMLO's approval rating?", "65 percent"),
    ("Who gave the talk on the world situation at the Mexican congress?", "Jorge Martín"),
    ("How many workers took part in the PSAC strike?", "155,000"),
    ("When did the Warrior Met Coal miners go on strike?", "April 1, 2021"),
    ("How long did the miners hold their picket line?", "600"),
    ("Who is alleged to have leaked the intelligence documents?", "Jack Teixeira"),
    ("Where were the leaked documents first shared?", "Discord"),
    ("How many people died in the fire at the migration detention centre in Ciudad Juárez?", "40 deaths"),
    ("How many Marxists attended the Montreal Winter School?", "460"),
    ("What was the theme of the Montreal Marxist Winter School 2023?", "Revolutionary Party"),
    ("Which banks collapsed before banking shares fell?", "SVB"),
    ("Which far-right group infiltrated the Socialist Revolution meeting?", "Turning Point"),
    ("When did the US-led invasion of Iraq begin?", "20 years ago"),
    # the second file, written after the change
    ("Which hospital was the alleged protest outside of?", "Mount Sinai"),
    ("What did Trudeau say about the demonstration?", "reprehensible"),
    ("How many people marched against Milei's decree?", "1.5 million"),
    ("How long has Milei's government been in power?", "fewer than 50 days"),
    ("Which election contest kicked off the presidential election?", "Iowa caucus"),
    ("Where did the violence in Ecuador mainly take place?", "Guayaquil"),
    ("When did Fujimori establish a de facto dictatorship in Peru?", "1992"),
    ("What is the name of the relaunched Canadian newspaper?", "Communist Revolution"),
    ("How many pieces of legislation did Milei abolish by decree?", "300"),
    ("When did the UAW contracts with the Big Three expire?", "September 15, 2023"),
    ("Which strategy did Shawn Fain put forward?", "stand-up"),
    ("What share of Quebec's workers were on strike on Nov. 23?", "13.5 per cent"),
    ("How many comrades met in Mexico City?", "110"),
    ("Which territory was the subject of the Venezuelan referendum?", "Essequibo"),
    ("What are protesters in Panama demonstrating against?", "mine"),
    ("When was Henry Kissinger's death announced?", "November 29, 2023"),
    ("Which decade was one of the most tumultuous in Jamaican history?", "1970s"),
    ("How much has the appeal for the Panamerican School raised?", "8,750"),
]


def main() -> int:
    import qa

    if not SEEDS.is_dir():
        print(f"{SEEDS} is not here: nothing to measure")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        lib = qa.Library.build([str(SEEDS)], str(Path(tmp) / "idx"), progress=False)
        found = marked = 0
        for (question, answer), hits in zip(QUESTIONS, lib.ask_many([q for q, _ in QUESTIONS], k=1), strict=True):
            top = hits[0]
            best = top.highlights[0].text if top.highlights else ""
            found += answer in top.text
            marked += answer in best
            if answer not in best:
                print(f"  {question} -> {top.reference}: {best[:100] or '(no highlight)'}")
        lib.close()
    print(f"{len(QUESTIONS)} questions: the first hit holds the answer {found} times, "
          f"its top highlight {marked} times")
    return 0


if __name__ == "__main__":
    sys.exit(main())
