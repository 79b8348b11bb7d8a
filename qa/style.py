"""The web page's look: its stylesheet (result cards, messages, the text around a passage) and theme."""

# Titles are bold (700): the UI's theme has regular and bold faces only (see theme below).
CSS = """
.qa-summary {white-space: pre-wrap; overflow-wrap: anywhere;}
.qa-card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 12px 14px;
  margin: 10px 0; background: var(--background-fill-primary);}
.qa-head {display: flex; column-gap: 10px; align-items: baseline;}
.qa-rank {font-weight: 700; color: var(--color-accent); min-width: 1.5em; flex: none;}
.qa-name {flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere;}
.qa-title {font-weight: 700; font-size: 1.05em; margin-right: 10px;}
.qa-section {display: inline-flex; flex-wrap: wrap; column-gap: .5em; opacity: .8;}
.qa-section code {font-family: var(--font-mono); font-size: .85em;}
.qa-score {margin-left: auto; font-size: .85em; opacity: .7; white-space: nowrap; flex: none;}
.qa-refline {margin: 4px 0 8px 2.2em; font-size: .9em;}
.qa-untitled {margin-bottom: 8px; font-size: .9em;}
.qa-ref {font-size: .95em;}
.qa-passage {margin-left: 2.2em; line-height: 1.55;}
.qa-passage mark {background: #fef3c7; color: inherit; padding: 0 2px; border-radius: 2px;}
.qa-passage mark.qa-best {background: #fcd34d;}
.qa-passage b.qa-answer {font-weight: 700;}
.qa-passage b.qa-quoted {font-weight: 700; text-decoration: underline; text-decoration-thickness: 2px;
  text-underline-offset: 2px;}
.dark .qa-passage mark {background: #713f12; color: #fef3c7;}
.dark .qa-passage mark.qa-best {background: #a16207; color: #fffbeb;}
.qa-heading {font-weight: 700; margin: 6px 0 2px;}
.qa-passage code {font-family: var(--font-mono); font-size: .85em; background: var(--background-fill-secondary);
  border-radius: 3px; padding: 0 3px;}
.qa-passage pre code {padding: 0; background: none;}
.qa-code {font-family: var(--font-mono); font-size: .85em; line-height: 1.45; white-space: pre-wrap;
  background: var(--background-fill-secondary); border-radius: 4px; padding: 6px 10px; margin: 4px 0;}
.qa-table {border-collapse: collapse; margin: 4px 0; font-size: .95em;}
.qa-table th, .qa-table td {border: 1px solid var(--border-color-primary); padding: 2px 8px;
  text-align: left; vertical-align: top;}
.qa-detail {margin: 8px 0 0 2.2em; font-size: .8em; opacity: .75; display: flex; gap: 12px;
  align-items: center; flex-wrap: wrap;}
.qa-similar {margin-left: auto; border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 2px 10px; cursor: pointer; font-size: 1em; background: var(--button-secondary-background-fill);}
.qa-msg {padding: 10px 14px; border-radius: 6px; margin: 8px 0;}
.qa-msg a.qa-suggest {padding: 0; font-weight: 600;}
.qa-info {background: var(--background-fill-secondary);}
.qa-error {background: #fee2e2; color: #7f1d1d;}
.qa-warn {background: #fef3c7; color: #78350f;}
.qa-weak {font-weight: 700;}
.qa-copies code {font-family: var(--font-mono); font-size: .95em; overflow-wrap: anywhere;}
.qa-sim-heading {font-weight: 700; margin-top: 12px;}
.qa-common {margin: -4px 0 0 2.2em; font-size: .85em; opacity: .8;}
.qa-common b {font-weight: 700;}
.qa-around {margin: 2px 0 2px 2.2em;}
.qa-around > summary {cursor: pointer; opacity: .7; width: fit-content; font-size: .85em;}
.qa-around > summary code {font-family: var(--font-mono); font-size: .95em;}
.qa-around[open] > summary {margin-bottom: 4px;}
.qa-around > .qa-passage {margin-left: 0; opacity: .72;}
"""


def theme():
    """Gradio's default look, with its fonts' regular and bold faces only: the semibold files it
    ships hold a handful of glyphs, so semibold text (titles, labels) mixed in a fallback face.
    Both files are served by Gradio itself; nothing is fetched from outside."""
    import gradio as gr

    return gr.themes.Default(
        font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui",
              "sans-serif"),
        font_mono=(gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "Consolas",
                   "monospace"))
