"""Write a tiny, randomly initialised TextSep checkpoint for test builds (it separates nothing useful).

Used by packaging/build.sh and CI while checkpoints/textsep_unet.pth (the trained model) is not in the
repository: the bundle is then built with this stand-in via TEXTSEP_BUNDLE_CHECKPOINT, so that the
packaging and the frozen self-test can still be exercised end to end. It reuses the test suite's
make_tiny_checkpoint (tests/conftest.py), so it goes through the real checkpoint format.

Run: python packaging/make_standin_checkpoint.py OUT.pth
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import make_tiny_checkpoint

    out = make_tiny_checkpoint(Path(argv[0]))
    print(f"wrote stand-in (untrained) checkpoint {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
