"""compare_tokenizers on small tokenizer folders built here: copies (reformatted, ids shifted,
tokens renamed, another file layout) against independent tokenizers on one shared base."""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path

import pytest

from codesim.artifacts import tokenizers
from codesim.artifacts.known_tokens import is_known_token, known_families
from codesim.artifacts.tokenizers import compare_tokenizers, load_tokenizer
from codesim.errors import InputError

BASE_SIZE = 3_000
"""Tokens of the made-up base vocabulary: a few thousand, like a small real BPE, but fast."""

CUSTOM = [
    "<|image_patch|>",
    "<slice>",
    "<ref>",
    "</ref>",
    "<|region_begin|>",
    "<|region_end|>",
    "<|quad|>",
]
"""The original project's own special tokens."""

OTHER_CUSTOM = ["<|audio_frame|>", "<speaker>", "<|lang_tag|>", "<turn>", "</turn>", "<|cue|>"]
"""Another project's own special tokens, on the same base."""

# Well-known base special tokens, each of which must count as standard, not as evidence.
STANDARD = [
    "<|endoftext|>",
    "[CLS]",
    "[SEP]",
    "[PAD]",
    "[MASK]",
    "[UNK]",
    "<s>",
    "</s>",
    "<pad>",
    "<unk>",
    "<mask>",
    "<|im_start|>",
    "<|im_end|>",
    "<extra_id_0>",
    "<extra_id_99>",
    "<|begin_of_text|>",
    "<|eot_id|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|reserved_special_token_17|>",
    "[unused42]",
    "<0x0A>",
    "    ",
]


def make_bpe(seed: int, size: int = BASE_SIZE) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """A byte-level-looking BPE vocabulary and its merges, the same for the same seed."""
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(33, 127)] + ["Ġ" + chr(c) for c in range(97, 123)]
    vocab = {token: index for index, token in enumerate(alphabet)}
    tokens = list(alphabet)
    merges: list[tuple[str, str]] = []
    while len(tokens) < size:
        first = tokens[int(rng.triangular(0, len(tokens) - 1, 0))]
        second = tokens[int(rng.triangular(0, len(tokens) - 1, 0))]
        if second.startswith("Ġ") or first + second in vocab:
            continue
        merges.append((first, second))
        vocab[first + second] = len(tokens)
        tokens.append(first + second)
    return vocab, merges


def write_tokenizer(
    folder: Path,
    vocab: dict[str, int],
    merges: list[tuple[str, str]],
    special: list[str],
    *,
    first_added_id: int | None = None,
    pretty: bool = False,
    split_files: bool = False,
) -> Path:
    """A Hugging Face tokenizer folder; ``split_files`` writes vocab.json + merges.txt instead of
    putting the model in tokenizer.json; ``pretty`` reformats every JSON file."""
    folder.mkdir(parents=True, exist_ok=True)
    start = len(vocab) if first_added_id is None else first_added_id
    added = [
        {"id": start + i, "content": token, "special": True, "normalized": False}
        for i, token in enumerate(special)
    ]

    def dump(name: str, value: object) -> None:
        text = (
            json.dumps(value, indent=4, sort_keys=True, ensure_ascii=True)
            if pretty
            else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        )
        (folder / name).write_text(text, encoding="utf-8")

    tokenizer: dict[str, object] = {
        "version": "1.0",
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True},
    }
    if split_files:
        dump("vocab.json", vocab)
        lines = ["#version: 0.2", *(f"{a} {b}" for a, b in merges)]
        (folder / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        tokenizer["model"] = {
            "type": "BPE",
            "vocab": vocab,
            "merges": [f"{a} {b}" for a, b in merges],
        }
    dump("tokenizer.json", tokenizer)
    dump(
        "tokenizer_config.json",
        {
            "tokenizer_class": "GPT2Tokenizer",
            "added_tokens_decoder": {
                str(entry["id"]): {"content": entry["content"], "special": True} for entry in added
            },
            "eos_token": "<|endoftext|>",
            "model_max_length": 4096,
        },
    )
    dump(
        "special_tokens_map.json",
        {
            "eos_token": {"content": "<|endoftext|>", "lstrip": False},
            "additional_special_tokens": [t for t in special if t != "<|endoftext|>"],
        },
    )
    return folder


@pytest.fixture(scope="module")
def base() -> tuple[dict[str, int], list[tuple[str, str]]]:
    return make_bpe(seed=1)


@pytest.fixture
def original(tmp_path: Path, base: tuple[dict[str, int], list[tuple[str, str]]]) -> Path:
    vocab, merges = base
    return write_tokenizer(tmp_path / "original", vocab, merges, ["<|endoftext|>", *CUSTOM])


def test_known_tokens_cover_the_standard_bases() -> None:
    for token in STANDARD:
        assert is_known_token(token), token
    for token in [*CUSTOM, *OTHER_CUSTOM, "<extra_id_x>", "[CLS2]"]:
        assert not is_known_token(token), token
    assert "gpt2" in known_families("<|endoftext|>")
    assert known_families("<|image_patch|>") == []


def test_load_reads_vocab_merges_added_and_special(original: Path) -> None:
    tokenizer = load_tokenizer(original)
    assert tokenizer.model_type == "BPE"
    assert len(tokenizer.vocab) == BASE_SIZE
    assert len(tokenizer.merges) == BASE_SIZE - 120
    assert tokenizer.special == {"<|endoftext|>", *CUSTOM}
    assert tokenizer.added["<slice>"] == BASE_SIZE + 2
    assert tokenizer.distinctive() == CUSTOM
    assert tokenizer.settings == {"normalizer": "none", "pre_tokenizer": "ByteLevel"}
    assert sorted(tokenizer.files) == [
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
    ]


def test_copy_reformatted_with_shifted_ids_and_split_files(
    tmp_path: Path, original: Path, base: tuple[dict[str, int], list[tuple[str, str]]]
) -> None:
    vocab, merges = base
    copy = write_tokenizer(
        tmp_path / "copy",
        vocab,
        merges,
        ["<|endoftext|>", *CUSTOM],
        first_added_id=BASE_SIZE + 5,
        pretty=True,
        split_files=True,
    )
    result = compare_tokenizers(original, copy)
    assert result.kind == "tokenizer"
    assert result.score >= 0.9
    assert result.details["shared_distinctive"] == CUSTOM
    assert result.details["distinctive_id_offset"] == 5
    assert result.details["vocab_corroborates"] is True
    assert "Both add the same 7 unusual" in result.summary
    assert "<|image_patch|>" in result.summary
    assert "3,000-token vocabulary they share token for token" in result.summary
    assert json.loads(json.dumps(result.details))["merges"]["order_agreement"] == 1.0


def test_copy_with_renamed_tokens_and_more_added(
    tmp_path: Path, original: Path, base: tuple[dict[str, int], list[tuple[str, str]]]
) -> None:
    vocab, merges = base
    renamed = ["<|endoftext|>", "<|img_patch|>", "<slice>", "<ref>", "</ref>", "<|region_start|>"]
    renamed += ["<|region_end|>", "<|quad|>", "<|mine|>", "<|also_mine|>"]
    copy = write_tokenizer(tmp_path / "renamed", vocab, merges, renamed, pretty=True)
    result = compare_tokenizers(copy, original)
    assert result.score >= 0.9
    assert result.details["renamed"] == [
        ["<|img_patch|>", "<|image_patch|>"],
        ["<|region_start|>", "<|region_begin|>"],
    ]
    assert result.details["only_left"] == ["<|mine|>", "<|also_mine|>"]


def test_copy_that_folded_the_added_tokens_into_its_vocab(
    tmp_path: Path, original: Path, base: tuple[dict[str, int], list[tuple[str, str]]]
) -> None:
    vocab, merges = base
    folded = dict(vocab) | {token: BASE_SIZE + i for i, token in enumerate(CUSTOM)}
    copy = write_tokenizer(tmp_path / "folded", folded, merges, [], split_files=True)
    result = compare_tokenizers(copy, original)
    assert result.score >= 0.9
    assert result.details["found_in_plain_vocab"] == CUSTOM
    assert "kept by the other side as ordinary vocabulary" in result.summary


def test_few_distinctive_tokens_are_damped_unless_the_vocabulary_agrees(
    tmp_path: Path, base: tuple[dict[str, int], list[tuple[str, str]]]
) -> None:
    vocab, merges = base
    first = write_tokenizer(tmp_path / "a", vocab, merges, ["<slice>"])
    second = write_tokenizer(tmp_path / "b", vocab, merges, ["<slice>"], pretty=True)
    # One shared custom token plus an identical vocabulary: evidence of two tokens out of three.
    assert compare_tokenizers(first, second).score == pytest.approx(2 / 3)
    bare = tmp_path / "bare"
    bare.mkdir()
    special = json.dumps({"additional_special_tokens": ["<slice>"]})
    (bare / "special_tokens_map.json").write_text(special, encoding="utf-8")
    result = compare_tokenizers(first, bare)
    assert result.score == pytest.approx(1 / 3)
    assert "the score is damped" in result.summary


def test_a_malformed_file_is_reported_even_when_another_gives_its_part(original: Path) -> None:
    (original / "vocab.json").write_text('{"a": 0', encoding="utf-8")
    with pytest.raises(InputError, match=r"vocab\.json: not valid JSON"):
        load_tokenizer(original)


def test_independent_on_one_base_with_standard_tokens(
    tmp_path: Path, base: tuple[dict[str, int], list[tuple[str, str]]]
) -> None:
    vocab, merges = base
    first = write_tokenizer(tmp_path / "a", vocab, merges, ["<|endoftext|>", "<|pad|>"])
    chat = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    second = write_tokenizer(tmp_path / "b", vocab, merges, chat, pretty=True)
    result = compare_tokenizers(first, second)
    assert result.score <= 0.2
    assert result.details["vocab"]["containment"] == 1.0  # type: ignore[index,call-overload]
    assert result.summary.startswith("Neither tokenizer adds unusual")
    assert "not counted as evidence" in result.summary


def test_independent_on_one_base_each_with_own_tokens(
    tmp_path: Path, original: Path, base: tuple[dict[str, int], list[tuple[str, str]]]
) -> None:
    vocab, merges = base
    # Same base, same ids for the added tokens: the slots line up but nothing was copied.
    other = write_tokenizer(tmp_path / "other", vocab, merges, ["<|endoftext|>", *OTHER_CUSTOM])
    result = compare_tokenizers(original, other)
    assert result.score <= 0.2
    assert result.details["renamed"] == []
    assert result.summary.startswith("Each tokenizer adds its own unusual tokens")


def test_independent_sharing_one_custom_token_by_chance(
    tmp_path: Path, original: Path, base: tuple[dict[str, int], list[tuple[str, str]]]
) -> None:
    vocab, merges = base
    other = write_tokenizer(tmp_path / "other", vocab, merges, ["<ref>", *OTHER_CUSTOM])
    result = compare_tokenizers(original, other)
    assert result.score <= 0.2
    assert result.details["shared_distinctive"] == ["<ref>"]


def test_independent_bases(tmp_path: Path, original: Path) -> None:
    vocab, merges = make_bpe(seed=2)
    other = write_tokenizer(tmp_path / "other", vocab, merges, ["<|endoftext|>", *OTHER_CUSTOM])
    result = compare_tokenizers(original, other)
    assert result.score == 0.0
    merges_details = result.details["merges"]
    assert isinstance(merges_details, dict)
    assert isinstance(merges_details["containment"], float)
    assert merges_details["containment"] < 0.5


def test_one_file_against_a_folder(tmp_path: Path, original: Path) -> None:
    result = compare_tokenizers(original / "tokenizer.json", original)
    assert result.score >= 0.9


def _piece(text: str, piece_type: int) -> bytes:
    data = text.encode()
    body = bytes([0x0A, len(data)]) + data + b"\x15" + struct.pack("<f", -1.0)
    body += bytes([0x18, piece_type])
    return bytes([0x0A, len(body)]) + body


def _sentencepiece_model(custom: list[str]) -> bytes:
    """A ModelProto with <unk>, <s>, </s>, user-defined pieces, normal pieces and specs."""
    pieces = [_piece("<unk>", 2), _piece("<s>", 3), _piece("</s>", 3)]
    pieces += [_piece(token, 4) for token in custom]
    pieces += [_piece(f"▁w{i}", 1) for i in range(100)]
    trainer = bytes([0x12, 2, 0x18, 2])  # trainer_spec { model_type: BPE }
    normalizer = bytes([0x1A, 10, 0x0A, 8]) + b"nmt_nfkc"
    return b"".join(pieces) + trainer + normalizer


def test_sentencepiece_model_is_read(tmp_path: Path) -> None:
    first = tmp_path / "a" / "tokenizer.model"
    second = tmp_path / "b" / "spiece.model"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_bytes(_sentencepiece_model(["<slice>", "<|image_patch|>", "<ref>"]))
    second.write_bytes(_sentencepiece_model(["<slice>", "<|image_patch|>", "<ref>"]))
    tokenizer = load_tokenizer(first.parent)
    assert tokenizer.model_type == "BPE"
    assert tokenizer.vocab["▁w0"] == 6
    assert tokenizer.special == {"<unk>", "<s>", "</s>"}
    assert tokenizer.distinctive() == ["<slice>", "<|image_patch|>", "<ref>"]
    assert tokenizer.settings["normalizer"] == "nmt_nfkc"
    assert compare_tokenizers(first, second).score >= 0.9


def test_tiktoken_rank_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.model"
    path.write_text("IQ== 0\nIg== 1\naGVsbG8= 2\n", encoding="ascii")
    assert load_tokenizer(path).vocab == {"!": 0, '"': 1, "hello": 2}


def test_unreadable_model_beside_json_is_reported_not_fatal(tmp_path: Path, original: Path) -> None:
    (original / "tokenizer.model").write_bytes(b"\xff\xff\xff\xff not a protobuf")
    tokenizer = load_tokenizer(original)
    assert tokenizer.unparsed["tokenizer.model"].startswith("present, not parsed")
    with pytest.raises(InputError, match=r"tokenizer\.model"):
        load_tokenizer(original / "tokenizer.model")


def test_bert_vocab_txt_with_special_map(tmp_path: Path) -> None:
    folder = tmp_path / "bert"
    folder.mkdir()
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<ent>", "</ent>", "the", "##s"]
    (folder / "vocab.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    special = {"cls_token": "[CLS]", "additional_special_tokens": ["<ent>", "</ent>"]}
    (folder / "special_tokens_map.json").write_text(json.dumps(special), encoding="utf-8")
    tokenizer = load_tokenizer(folder)
    assert tokenizer.model_type == "WordPiece"
    assert tokenizer.vocab["##s"] == 8
    assert tokenizer.distinctive() == ["<ent>", "</ent>"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tokenizer.json", '{"model": {"vocab": {"a": 0,}}', "not valid JSON"),
        ("tokenizer.json", '{"model": {"vocab": {"a": "zero"}}}', "the id of 'a'"),
        ("tokenizer.json", '{"added_tokens": [{"id": 3}]}', "no string content"),
        ("tokenizer.json", '{"model": {"merges": [["a"]]}}', "merges\\[0\\]"),
        ("tokenizer_config.json", '{"added_tokens_decoder": {"x": {}}}', "not an id"),
        ("tokenizer_config.json", "[1, 2]", "expected an object"),
        ("merges.txt", "#version: 0.2\na b\na b c\n", "line 3"),
        ("vocab.json", "[" * 100_000 + "]" * 100_000, "vocab.json"),
    ],
)
def test_malformed_files_name_file_and_reason(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_tokenizer(tmp_path)
    assert name in str(caught.value)


def test_undecodable_file(tmp_path: Path) -> None:
    (tmp_path / "vocab.json").write_bytes(b'{"\xff": 0}')
    with pytest.raises(InputError, match="not UTF-8"):
        load_tokenizer(tmp_path)


def test_file_over_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    with path.open("wb") as handle:
        # A sparse file: huge to stat, free to write; the cap is checked before reading.
        handle.truncate(tokenizers.MAX_TOKENIZER_FILE_BYTES + 1)
    with pytest.raises(InputError, match=r"over the .*-byte limit"):
        load_tokenizer(tmp_path)


def test_paths_without_a_tokenizer(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_tokenizer(tmp_path / "missing")
    with pytest.raises(InputError, match="no tokenizer files"):
        load_tokenizer(tmp_path)
    (tmp_path / "readme.md").write_text("hi", encoding="utf-8")
    with pytest.raises(InputError, match="not a tokenizer file"):
        load_tokenizer(tmp_path / "readme.md")


def test_chance_separates_a_copy_from_independent_tokenizers(
    tmp_path: Path, original: Path, base: tuple[dict[str, int], list[tuple[str, str]]]
) -> None:
    vocab, merges = base
    copy = write_tokenizer(
        tmp_path / "copy", vocab, merges, ["<|endoftext|>", *CUSTOM], pretty=True
    )
    own = write_tokenizer(tmp_path / "own", vocab, merges, ["<|endoftext|>", *OTHER_CUSTOM])
    one = write_tokenizer(tmp_path / "one", vocab, merges, ["<ref>", *OTHER_CUSTOM])

    copied = compare_tokenizers(original, copy)
    assert copied.chance is not None and copied.chance < 1e-20
    assert "would pick names this alike with chance" in copied.summary
    assert compare_tokenizers(original, own).chance == 1.0
    # One short shared name (<ref>) is a coincidence independent projects make.
    shared_one = compare_tokenizers(original, one)
    assert shared_one.chance is not None and shared_one.chance > 1e-3


def test_token_cores_ignore_decoration_case_and_numbering() -> None:
    assert tokenizers.token_core("<ref>") == tokenizers.token_core("</ref>") == "ref"
    assert tokenizers.token_core("<|Image_Patch|>") == "image_patch"
    assert tokenizers.token_core("[SLICE_12]") == tokenizers.token_core("<slice_3>")
