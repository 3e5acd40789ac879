"""Independent reference for the app's counter-based draws (algorithm splitmix64-chain-v1).

    h = step(step(step(step(seed) ^ depth) ^ reroll) ^ stream);  u = (h >> 11) / 2**53
    step(x) = mix(x + 0x9E3779B97F4A7C15), mix = SplitMix64's finaliser (mod 2**64).

Run: /usr/bin/python3 tools/model/random_reference.py  -> prints JSON used by src/engine/random.test.ts
"""
import json

M = (1 << 64) - 1


def step(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def draw(seed: int, depth: int, reroll: int, stream: int) -> float:
    h = step(seed)
    h = step(h ^ depth)
    h = step(h ^ reroll)
    h = step(h ^ stream)
    return (h >> 11) / 2 ** 53


KEYS = [(0, 0, 0, 0), (42, 0, 0, 0), (42, 1, 0, 0), (42, 2, 0, 0), (42, 0, 1, 0), (42, 0, 0, 1),
        (7, 31, 2, 5), (4294967295, 4294967295, 4294967295, 4294967295)]

if __name__ == "__main__":
    print(json.dumps([{"key": list(k), "u": repr(draw(*k))} for k in KEYS], indent=1))
