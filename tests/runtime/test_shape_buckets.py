"""Lengths rounded up to shared multiples (domainllm.runtime.shape_buckets)."""

import pytest

from domainllm.runtime.shape_buckets import SHAPE_MULTIPLE, bucketed


@pytest.mark.parametrize(("length", "expected"), [(0, 0), (1, 32), (31, 32), (32, 32), (33, 64), (300, 320)])
def test_lengths_round_up_to_the_multiple(length: int, expected: int) -> None:
    assert SHAPE_MULTIPLE == 32
    assert bucketed(length) == expected


def test_a_thousand_lengths_fall_into_few_shapes() -> None:
    assert len({bucketed(n) for n in range(1, 1001)}) == 32


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError, match="length >= 0"):
        bucketed(-1)
    with pytest.raises(ValueError, match="multiple >= 1"):
        bucketed(10, multiple=0)


@pytest.mark.slow
def test_generation_pads_every_batch_to_the_multiple() -> None:
    from domainllm.runtime.models import load_generator

    generator = load_generator()
    widths: list[int] = []
    generate = generator.model.generate

    def recording_generate(**kwargs):  # the real generate, with the width it was given noted
        widths.append(kwargs["input_ids"].shape[1])
        return generate(**kwargs)

    generator.model.generate = recording_generate
    try:
        generator.chat(["What is 2 + 2?", "Name the largest planet in the solar system."], max_new_tokens=2)
    finally:
        del generator.model.generate
    assert widths and all(w % SHAPE_MULTIPLE == 0 for w in widths)


@pytest.mark.slow
def test_embedder_batches_are_padded_to_the_multiple() -> None:
    from domainllm.runtime.embedding_cache import BUCKETED_PADDING
    from domainllm.runtime.models import load_embedder

    features = load_embedder()[0].preprocess(
        ["a short clause", "a longer clause about payment within thirty days of the invoice date"],
        processing_kwargs=BUCKETED_PADDING,
    )
    assert features["input_ids"].shape[1] % SHAPE_MULTIPLE == 0


def test_sft_and_dpo_training_pad_to_the_multiple() -> None:
    from domainllm.config import get_settings
    from domainllm.corpus.questions import load_questions
    from domainllm.finetune.sft import CLOSED_BOOK_SFT, closed_book_example, trainer_common_args

    run = CLOSED_BOOK_SFT.run(
        [closed_book_example(q) for q in load_questions("train")[:8]], get_settings(), []
    )
    assert trainer_common_args(run, get_settings())["pad_to_multiple_of"] == SHAPE_MULTIPLE
