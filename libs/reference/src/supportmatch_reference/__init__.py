"""Reference data of Chinese enterprise registration: USCC, provinces and regions, industry codes."""
