"""Write _static/social-card.png, the 1200 x 630 image link previews show (Open Graph og:image).

Run once after a change of title: `.venv/bin/python tools/make_social_card.py`. Colours are the
book's category colours (cstobook.style); text is DejaVu Sans, which matplotlib ships.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    fig = plt.figure(figsize=(12, 6.3), dpi=100)
    fig.patch.set_facecolor("#FFFFFF")
    for x, colour in ((0.0, "#D55E00"), (0.5, "#0072B2")):
        fig.add_artist(plt.Rectangle((x, 0), 0.5, 0.06, color=colour, transform=fig.transFigure))
    fig.text(0.06, 0.62, config["title"], fontsize=40, fontweight="bold", color="#222222", wrap=True)
    fig.text(0.06, 0.40, "An executable research publication: maps, data and sources",
             fontsize=24, color="#444444")
    fig.text(0.06, 0.16, config["html"]["baseurl"].split("//")[1].rstrip("/"), fontsize=18, color="#0072B2")
    fig.savefig(ROOT / "_static" / "social-card.png", metadata={"Software": None})


if __name__ == "__main__":
    main()
