"""What a valid CHI number is: the linkage reads CHIs with it and the identifier scan looks for them."""

from __future__ import annotations


def chi_is_valid(chi: object) -> bool:
    """A 10-digit CHI whose modulus-11 check digit holds (10 is never issued)."""
    if not isinstance(chi, str) or len(chi) != 10 or not chi.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(chi[:9], range(10, 1, -1)))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(chi[9])
