"""All settings of the pipeline in one place (paths, tokenizer, model, training)."""
from dataclasses import dataclass
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))          # project root
BUILD = os.path.join(HERE, "build")                              # gitignored artefacts
MODEL_DIR = os.path.join(ROOT, "public", "models", "tiny-bilingual-gpt2")
REFERENCE_JSON = os.path.join(HERE, "reference", "tiny-bilingual-gpt2.json")

EOT = "<|endoftext|>"


@dataclass
class TokenizerConfig:
    vocab_size: int = 4000        # 256 byte tokens + 3743 merges + <|endoftext|> (last id, 3999)
    min_pair_count: int = 2       # stop merging early if no pair occurs this often


@dataclass
class ModelConfig:
    vocab_size: int = 4000
    n_positions: int = 256        # context length
    n_embd: int = 160
    n_layer: int = 4
    n_head: int = 4               # head_dim = 40
    layer_norm_epsilon: float = 1e-5


@dataclass
class TrainConfig:
    seed: int = 1337
    batch_size: int = 16
    block_size: int = 256         # tokens per training sequence (= n_positions)
    max_steps: int = 3400         # cosine schedule length (~0.85 s/step here: ~50 min)
    stop_step: int = 2447         # if > 0: stop here, before the cosine ends (the 60-min time budget ran out;
                                  # the committed weights were trained to this step)
    warmup_steps: int = 100
    lr: float = 2.5e-3
    min_lr: float = 3e-4
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_every: int = 200
    ckpt_every_seconds: float = 180.0
    threads: int = 2
