"""Signing in: brute-force lockout, two-step verification and session lifetimes (issue 8).

- `lockout`: django-axes counts failed passwords per account and per address; a locked
  account gets the same answer, in the same time, as a wrong password.
- `policy`: who must use two-step verification.
- `services`: enrolling, verifying and removing authenticator devices, audited.
- `middleware`: a session ends after idle time or an absolute lifetime, and a session that
  still owes its second step reaches only the two-step pages and sign-out.
- `validators`: passwords that are easy to guess are refused (zxcvbn).
"""
