"""`python -m bench.load`: load tests against one `streamlit run` (browser pages or protocol sessions)."""
