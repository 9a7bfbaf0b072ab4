"""Make a training checkpoint the shipped model: weights and metadata only (no optimizer state), plus the
known sounds' paraphrase embeddings, so the first run of the CLI or the app encodes only the user's prompt.

    .venv/bin/python packaging/ship_model.py runs/textsep_unet_v2_epoch60.pth checkpoints/textsep_unet.pth
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    from textsep.model.checkpoint import load_checkpoint, save_checkpoint
    from textsep.prompts import embed_paraphrases
    from textsep.text import get_encoder

    src, dst = map(Path, argv)
    bundle = load_checkpoint(src)
    meta = dict(bundle.meta)
    meta["shipped_from"] = src.name
    meta["paraphrase_embeddings"] = embed_paraphrases(meta, get_encoder(meta["encoder"]["name"]))
    save_checkpoint(dst, bundle.model, bundle.spec, meta)
    print(f"{dst}: {dst.stat().st_size / 1e6:.1f} MB, {len(meta['classes'])} classes, "
          f"{len(meta['paraphrase_embeddings']['texts'])} paraphrase embeddings, from {src.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
