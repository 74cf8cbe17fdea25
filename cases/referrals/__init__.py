"""Forces' referral files (format version 1): checking, importing and synthetic generation."""
