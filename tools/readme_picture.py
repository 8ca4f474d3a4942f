"""Regenerate docs/course.png, the README's picture: notebook 02 in JupyterLab, in headless chromium, with the
learning-rate slider moved two steps past the sheet's 1e-4 so the 2-neuron model explodes early in epoch 1.

    python tools/readme_picture.py
"""
import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labdriver  # noqa: E402

TARGET = labdriver.ROOT / "docs" / "course.png"


def main():
    lab = labdriver.Lab()
    try:
        with sync_playwright() as playwright:
            browser = labdriver.launch(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            labdriver.open_and_run_all(page, lab, "02_two_neurons.ipynb")
            output = labdriver.interactives(page).nth(0)
            labdriver.wait_for_canvas(output)
            for _ in range(2):
                labdriver.press_and_watch(page, output, "ArrowRight")
            output.evaluate("e => e.scrollIntoView({block: 'center'})")
            page.wait_for_timeout(500)
            box = output.bounding_box()
            shot = page.screenshot(clip={"x": 0, "y": max(0, box["y"] - 60), "width": 1280,
                                         "height": min(900 - max(0, box["y"] - 60), box["height"] + 80)})
            browser.close()
    finally:
        lab.close()
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.LANCZOS)
    TARGET.parent.mkdir(exist_ok=True)
    image.save(TARGET, optimize=True)
    print(f"wrote {TARGET.relative_to(labdriver.ROOT)} ({TARGET.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
