"""rnnclf's app: `streamlit run streamlit_app.py`. Page layout only; the views live in app/."""

import streamlit as st

from app import batch_view, compare, disagreements, errors, evaluation, explain_view, probe, sidebar, state, summary
from app.navigation import COMPARE, PROBE, VIEW_KEY

st.set_page_config(page_title="rnnclf · news classifiers", page_icon=":material/newspaper:", layout="wide")

rows = state.summary()
names = [row["checkpoint"] for row in rows]
with st.sidebar:
    st.title(":material/newspaper: rnnclf", anchor=False)
    st.caption("Recurrent classifiers for AG News: World, Sports, Business, Sci/Tech.")
    selected = sidebar.checkpoint_picker(rows, str(state.checkpoint_root()))
    lime = sidebar.lime_settings()

if selected is None:
    st.stop()

views = {  # texts in, predictions out; then the models on the test split
    PROBE: lambda: probe.show(selected),
    ":material/format_ink_highlighter: Explain": lambda: explain_view.show(selected, lime),
    COMPARE: lambda: compare.show(names, lime),
    ":material/dataset: Batch": lambda: batch_view.show(selected, names),
    ":material/grid_on: Evaluate": lambda: evaluation.show(selected, names),
    ":material/bug_report: Errors": lambda: errors.show(selected),
    ":material/call_split: Disagreements": lambda: disagreements.show(names),
    ":material/table_chart: Summary": lambda: summary.show(rows),
}
# on_change="rerun": only the open tab runs, so a heavy view costs nothing while another is shown.
for tab, view in zip(st.tabs(list(views), key=VIEW_KEY, on_change="rerun"), views.values()):
    if tab.open:
        with tab:
            view()
