"""Password rules (NIST SP 800-63B): length, and no password an attacker tries first.

No composition rules (a digit, a capital…); instead a password is refused when it is short,
contains the account's e-mail address (or the part before @), is repetitive (fewer than
MIN_DISTINCT different characters, or one short run repeated), is a run along the alphabet,
the digits or a keyboard row (123456789012, abcdefghijkl, qwertyuiop…), or is a common
password padded with digits and symbols (password1234, p@ssw0rd!, qwertyuiop12).
"""
from __future__ import annotations

import re

from ..errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_DISTINCT = 5        # fewer different characters than this is "aaaa…", "abab…", "1234 1234…"
MIN_LOCAL_PART = 4      # shorter local parts (ab@…) are too common as letters to forbid
MIN_RUN = 3             # a sequence password is made of runs at least this long

# The most common passwords and words of leaked-password lists (lower case, letters only: a
# password is compared after its digits and symbols at either end are dropped and look-alike
# digits inside are read as letters, so "Passw0rd-2024!" is "password").
COMMON = frozenset("""
password passwd pass qwerty qwertyuiop qwertz asdf asdfgh asdfghjkl zxcvbnm qazwsx letmein welcome
iloveyou admin administrator root user guest login master monkey dragon football baseball soccer
sunshine princess shadow superman batman trustno starwars michael jennifer charlie hello hellokitty
freedom whatever secret changeme default test testtest computer internet abc pokemon doraemon naruto
sakura tokyo japan nippon osaka kyoto arigatou himitsu pasuwado casebook curator editor
""".split())
# Alphabet, digits (9 runs on to 0, as on the keyboard) and the keyboard's letter rows.
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_FORWARD = {(s[i], s[i + 1]) for s in _SEQUENCES for i in range(len(s) - 1)}
_BACKWARD = {(b, a) for a, b in _FORWARD}
_LEET = str.maketrans({"@": "a", "4": "a", "$": "s", "5": "s", "0": "o", "3": "e", "1": "i", "!": "i", "7": "t"})


def _refuse(detail: str) -> None:
    raise InvalidInput("このパスワードは使えません。", [("password", detail)])


def _repetitive(password: str) -> bool:
    if len(set(password)) < MIN_DISTINCT:
        return True
    n = len(password)
    return any(all(password[i] == password[i - p] for i in range(p, n)) for p in range(1, n // 2 + 1))


def _sequence(password: str) -> bool:
    """Whether the password splits wholly into runs (MIN_RUN or longer) along one of _SEQUENCES."""
    n = len(password)
    runs = []  # the longest run starting at each position, in either direction
    forward = backward = 1
    for i in range(n - 1, -1, -1):
        if i < n - 1:
            pair = (password[i], password[i + 1])
            forward = forward + 1 if pair in _FORWARD else 1
            backward = backward + 1 if pair in _BACKWARD else 1
        runs.append(max(forward, backward))
    runs.reverse()
    ends = [False] * n + [True]  # ends[i]: password[i:] splits into runs
    for i in range(n - 1, -1, -1):
        ends[i] = any(ends[j] for j in range(i + MIN_RUN, i + runs[i] + 1))
    return ends[0]


def _common(password: str) -> bool:
    core = re.sub(r"^[^a-z@$]+|[^a-z@$]+$", "", password)
    core = re.sub(r"[^a-z]", "", core.translate(_LEET))
    if not core:
        return False
    return any(core == word * (len(core) // len(word)) for word in COMMON if len(core) % len(word) == 0)


def check_password(password: str, email: str = "") -> None:
    """Raise InvalidInput (Japanese) if `password` may not be used for the account `email`."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("パスワードが短すぎます。", [("password", f"{MIN_LENGTH}文字以上にしてください。")])
    if len(password) > MAX_LENGTH:
        raise InvalidInput("パスワードが長すぎます。", [("password", f"{MAX_LENGTH}文字以内にしてください。")])
    folded = password.lower()
    email = (email or "").strip().lower()
    local = email.partition("@")[0]
    if email and (email in folded or (len(local) >= MIN_LOCAL_PART and local in folded)):
        _refuse("メールアドレス（@より前の部分を含む）を含まないパスワードにしてください。")
    if _repetitive(folded):
        _refuse("同じ文字や短い並びの繰り返しは使えません。いくつかの単語を組み合わせた長い文にしてください。")
    if _sequence(folded):
        _refuse("連続した文字や数字（123456、abcdef、qwerty など）は使えません。")
    if _common(folded):
        _refuse("よく使われるパスワード（password、qwerty など）に数字や記号を足したものは使えません。")
