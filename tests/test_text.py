"""Text encoders: MiniLM vectors and cache; the optional CLAP adapter's errors and its use of msclap."""
from __future__ import annotations

import importlib.machinery
import sys
import types

import numpy as np
import pytest
import torch

from textsep.text import TextEncoderError, get_encoder
from textsep.text.clap import ENV_WEIGHTS, ClapEncoder, clap_available


@pytest.fixture(scope="module")
def minilm():
    return get_encoder()


def test_minilm_dims_and_unit_norm(minilm):
    v = minilm.encode(["dog bark", "a dog barking", "female speech"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > 0.75 > v[0] @ v[2], "paraphrases must be closer than different sounds"
    assert minilm.encode("dog bark").shape == (1, 384)


def test_minilm_cache(minilm, monkeypatch):
    minilm.encode(["dog bark"])  # warm: only the new prompt below may reach the model
    calls = []
    real = minilm._encode
    monkeypatch.setattr(minilm, "_encode", lambda ps: calls.append(list(ps)) or real(ps))
    a = minilm.encode(["an unusual prompt 1234", "dog bark"])
    b = minilm.encode(["  an   unusual prompt 1234 ", "an unusual prompt 1234"])
    assert calls == [["an unusual prompt 1234"]], "each distinct prompt is encoded once"
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(b[0], b[1])
    assert get_encoder() is minilm and get_encoder("minilm") is not None


def test_lean_minilm_equals_transformers(minilm):
    """The plain-torch BERT gives the embeddings transformers gives (within 1e-5 cosine), including
    padding in a batch, casing, accents and prompts past the token limit."""
    transformers = pytest.importorskip("transformers")
    from textsep.text.minilm import MAX_TOKENS, model_dir

    prompts = ["dog bark", "A Woman says SOMETHING", "asdfgh qwerty", "Ünïcode café: 50 Hz hum!",
               "keyboard typing " * 40, "x"]
    path = str(model_dir())
    tok = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModel.from_pretrained(path).eval()
    batch = tok(prompts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
    with torch.inference_mode():
        out = model(**batch).last_hidden_state
    m = batch["attention_mask"].unsqueeze(-1).to(out.dtype)
    ref = ((out * m).sum(1) / m.sum(1)).numpy()
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    ours = minilm.encode(prompts)
    assert np.all(1 - np.sum(ours * ref, axis=1) < 1e-5)


def test_inference_never_imports_transformers():
    import subprocess

    code = ("import sys; from textsep.text import get_encoder; get_encoder().encode(['dog bark']); "
            "print('transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_empty_prompt_and_unknown_encoder(minilm):
    with pytest.raises(TextEncoderError, match="Empty prompt"):
        minilm.encode(["dog", "  "])
    with pytest.raises(TextEncoderError, match="Unknown text encoder"):
        get_encoder("word2vec")


# ---- CLAP adapter -------------------------------------------------------------------------------
class FakeCLAP:
    instances: list = []  # noqa: RUF012 - shared on purpose: records every construction

    def __init__(self, model_fp=None, version=None, use_cuda=None):
        self.kwargs = {"model_fp": model_fp, "version": version, "use_cuda": use_cuda}
        FakeCLAP.instances.append(self)

    def get_text_embeddings(self, prompts):
        g = torch.Generator().manual_seed(len(prompts))
        return torch.rand(len(prompts), 1024, generator=g) * 3 + 1  # deliberately not unit length


@pytest.fixture
def fake_msclap(monkeypatch):
    FakeCLAP.instances = []
    mod = types.ModuleType("msclap")
    mod.__spec__ = importlib.machinery.ModuleSpec("msclap", None)  # as an installed package has
    mod.CLAP = FakeCLAP
    monkeypatch.setitem(sys.modules, "msclap", mod)
    monkeypatch.delenv(ENV_WEIGHTS, raising=False)
    return mod


def test_clap_missing_package(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "msclap", None)  # import msclap -> ImportError
    weights = tmp_path / "clap.pth"
    weights.write_bytes(b"w")
    with pytest.raises(TextEncoderError, match="optional package msclap"):
        ClapEncoder(weights).encode(["dog"])


def test_clap_weights_absent(fake_msclap, tmp_path):
    with pytest.raises(TextEncoderError, match="not configured"):
        ClapEncoder().encode(["dog"])
    with pytest.raises(TextEncoderError, match="not found"):
        ClapEncoder(tmp_path / "missing.pth").encode(["dog"])
    assert FakeCLAP.instances == [], "CLAP must not be constructed (and download) without local weights"
    assert not clap_available()


def test_clap_adapter_calls_msclap_and_normalises(fake_msclap, tmp_path, monkeypatch):
    weights = tmp_path / "clap_2023.pth"
    weights.write_bytes(b"w")
    monkeypatch.setenv(ENV_WEIGHTS, str(weights))
    assert clap_available()
    enc = ClapEncoder()
    assert enc.dim == 1024
    v = enc.encode(["dog bark", "rain"])
    assert len(FakeCLAP.instances) == 1
    assert FakeCLAP.instances[0].kwargs == {"model_fp": str(weights), "version": "2023", "use_cuda": False}
    assert v.shape == (2, 1024) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    enc.encode(["dog bark"])
    assert len(FakeCLAP.instances) == 1, "CLAP is loaded once"


def test_clap_load_failure_is_a_clear_error(fake_msclap, tmp_path, monkeypatch):
    weights = tmp_path / "clap.pth"
    weights.write_bytes(b"w")

    def broken(**kwargs):
        raise RuntimeError("size mismatch for text_branch")

    monkeypatch.setattr(fake_msclap, "CLAP", broken)
    with pytest.raises(TextEncoderError, match="Could not load CLAP.*size mismatch"):
        ClapEncoder(weights, version="2022").encode(["dog"])
