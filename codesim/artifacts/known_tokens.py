"""Special and added tokens that well-known base tokenizers ship, so they are no evidence.

Two projects that start from the same base tokenizer (GPT-2, BERT, LLaMA, T5, Qwen...) share
its vocabulary and its special tokens without copying each other.  A token outside these sets
(``<|image_patch|>``, ``<slice>``, ``<ref>``) was added by some project, and two independent
projects rarely add the same one; that is what ``tokenizers`` weighs.

The sets are written from the published ``tokenizer_config.json`` / ``special_tokens_map.json``
files of each family.  They are deliberately generous: a token wrongly called "known" only costs
a little evidence, while a base token wrongly called "unusual" makes two independent
fine-tunes of one base look copied.
"""

from __future__ import annotations

import re

BASE_SPECIAL_TOKENS: dict[str, frozenset[str]] = {
    "gpt2": frozenset({"<|endoftext|>"}),
    "gpt-neox": frozenset({"<|endoftext|>", "<|padding|>"}),
    "openai-tiktoken": frozenset(
        {"<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"}
    ),
    "bert": frozenset({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}),
    "roberta-bart": frozenset({"<s>", "</s>", "<pad>", "<unk>", "<mask>"}),
    "xlnet": frozenset({"<cls>", "<sep>", "<eod>", "<eop>", "<s>", "</s>", "<unk>", "<pad>"}),
    "t5": frozenset({"<pad>", "</s>", "<unk>"}),
    "llama-mistral": frozenset(
        {
            "<unk>",
            "<s>",
            "</s>",
            "[INST]",
            "[/INST]",
            "[TOOL_CALLS]",
            "[AVAILABLE_TOOLS]",
            "[/AVAILABLE_TOOLS]",
            "[TOOL_RESULTS]",
            "[/TOOL_RESULTS]",
            "[IMG]",
            "[IMG_BREAK]",
            "[IMG_END]",
        }
    ),
    "llama-3": frozenset(
        {
            "<|begin_of_text|>",
            "<|end_of_text|>",
            "<|start_header_id|>",
            "<|end_header_id|>",
            "<|eot_id|>",
            "<|eom_id|>",
            "<|python_tag|>",
            "<|finetune_right_pad_id|>",
            "<|step_id|>",
            "<|image|>",
        }
    ),
    "qwen-chatml": frozenset(
        {
            "<|endoftext|>",
            "<|im_start|>",
            "<|im_end|>",
            "<|object_ref_start|>",
            "<|object_ref_end|>",
            "<|box_start|>",
            "<|box_end|>",
            "<|quad_start|>",
            "<|quad_end|>",
            "<|vision_start|>",
            "<|vision_end|>",
            "<|vision_pad|>",
            "<|image_pad|>",
            "<|video_pad|>",
            "<|fim_prefix|>",
            "<|fim_middle|>",
            "<|fim_suffix|>",
            "<|fim_pad|>",
            "<|repo_name|>",
            "<|file_sep|>",
            "<tool_call>",
            "</tool_call>",
            "<tool_response>",
            "</tool_response>",
            "<think>",
            "</think>",
        }
    ),
    "phi-3": frozenset({"<|endoftext|>", "<|user|>", "<|assistant|>", "<|system|>", "<|end|>"}),
    "gemma": frozenset(
        {
            "<bos>",
            "<eos>",
            "<pad>",
            "<unk>",
            "<mask>",
            "[@BOS@]",
            "<start_of_turn>",
            "<end_of_turn>",
            "<start_of_image>",
            "<end_of_image>",
            "<image_soft_token>",
        }
    ),
    "deepseek": frozenset(
        {
            "<｜begin▁of▁sentence｜>",
            "<｜end▁of▁sentence｜>",
            "<｜▁pad▁｜>",
            "<｜User｜>",
            "<｜Assistant｜>",
            "<｜fim▁hole｜>",
            "<｜fim▁begin｜>",
            "<｜fim▁end｜>",
            "<|EOT|>",
        }
    ),
    "starcoder": frozenset(
        {
            "<fim_prefix>",
            "<fim_middle>",
            "<fim_suffix>",
            "<fim_pad>",
            "<filename>",
            "<gh_stars>",
            "<issue_start>",
            "<issue_comment>",
            "<issue_closed>",
            "<jupyter_start>",
            "<jupyter_text>",
            "<jupyter_code>",
            "<jupyter_output>",
            "<empty_output>",
            "<commit_before>",
            "<commit_msg>",
            "<commit_after>",
            "<reponame>",
        }
    ),
    "falcon": frozenset(
        {
            ">>TITLE<<",
            ">>ABSTRACT<<",
            ">>INTRODUCTION<<",
            ">>SUMMARY<<",
            ">>COMMENT<<",
            ">>ANSWER<<",
            ">>QUESTION<<",
            ">>DOMAIN<<",
            ">>PREFIX<<",
            ">>SUFFIX<<",
            ">>MIDDLE<<",
        }
    ),
    "whisper": frozenset(
        {
            "<|startoftranscript|>",
            "<|startoflm|>",
            "<|startofprev|>",
            "<|transcribe|>",
            "<|translate|>",
            "<|notimestamps|>",
            "<|nospeech|>",
            "<|nocaptions|>",
        }
    ),
    # Generic names fine-tuners give the pad, separator and chat-role tokens they add to a
    # base that lacks them; many projects pick the same ones independently.
    "common-additions": frozenset(
        {
            "<|pad|>",
            "<|unk|>",
            "<|sep|>",
            "<|mask|>",
            "<|bos|>",
            "<|eos|>",
            "<|startoftext|>",
            "<|im_sep|>",
            "[PAD]",
            "<pad>",
        }
    ),
    # LLaVA, PaliGemma, Idefics and most multimodal fine-tunes use these placeholders, so
    # sharing one says nothing about who copied whom.
    "multimodal-placeholders": frozenset({"<image>", "<video>", "<audio>"}),
}
"""Special tokens of well-known base tokenizer families, by family."""

BASE_SPECIAL_TOKEN_PATTERNS: dict[str, re.Pattern[str]] = {
    "t5": re.compile(r"<extra_id_\d+>"),
    "llama-3": re.compile(r"<\|reserved_special_token_\d+\|>"),
    "qwen": re.compile(r"<\|extra_\d+\|>"),
    "bert": re.compile(r"\[unused\d+\]"),
    "gemma": re.compile(r"<unused\d+>"),
    "phi-3": re.compile(r"<\|placeholder\d+\|>"),
    "mistral": re.compile(r"\[control_\d+\]"),
    "fairseq": re.compile(r"madeupword\d+"),
    # Byte-fallback pieces of sentencepiece vocabularies (LLaMA, Mistral, Gemma).
    "sentencepiece-bytes": re.compile(r"<0x[0-9A-Fa-f]{2}>"),
    # Runs of spaces, tabs or newlines that code models (GPT-NeoX, CodeLlama, StarCoder) add.
    "whitespace-runs": re.compile(r"\s+"),
}
"""Numbered or generated families of base special tokens, matched against the whole token."""

_ALL_BASE_SPECIAL_TOKENS = frozenset().union(*BASE_SPECIAL_TOKENS.values())


def is_known_token(token: str) -> bool:
    """Whether ``token`` is a special or added token of some well-known base tokenizer."""
    if token in _ALL_BASE_SPECIAL_TOKENS:
        return True
    return any(pattern.fullmatch(token) for pattern in BASE_SPECIAL_TOKEN_PATTERNS.values())


def known_families(token: str) -> list[str]:
    """The base families whose special tokens include ``token`` (empty when it is unusual)."""
    families = [name for name, tokens in BASE_SPECIAL_TOKENS.items() if token in tokens]
    families += [
        name for name, pattern in BASE_SPECIAL_TOKEN_PATTERNS.items() if pattern.fullmatch(token)
    ]
    return families
