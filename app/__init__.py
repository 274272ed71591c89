"""The Streamlit app's views and widgets; streamlit_app.py lays them out. No model code lives here."""
