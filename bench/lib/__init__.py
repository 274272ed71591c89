"""What every measurement shares: interleaved timing, result tables, settings, the subjects measured,
the tutorial's code path to compare with, and a `streamlit run` with its Chromium."""
