"""Fuzz entry of embedcourse.data.load_news_sample; see tests/test_fuzz.py."""

from __future__ import annotations

import embedcourse.data as D
from test_fuzz import Mut, entry, posint, seed

entry("data.load_news_sample",
      lambda n, lead_words, random_state: D.load_news_sample(n, lead_words=lead_words, random_state=random_state),
      {"n": 20, "lead_words": 10, "random_state": 0},
      muts={"n": posint(big=10_000) + [Mut("string", lambda v, d: "20")], "lead_words": posint(),
            "random_state": seed()},
      slow=True, examples=1)
