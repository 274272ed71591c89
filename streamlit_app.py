"""rnnclf's app: `streamlit run streamlit_app.py`. The sidebar and the page list; each view is a page in app/views/."""

# plotly looks pandas up in sys.modules without importing it: loaded whole here, before any page runs, so a
# page never sees it half-imported by another session's thread.
import pandas  # noqa: F401
import streamlit as st

from app import links, process, report, sidebar, state
from app.pages import BY_ID, GOTO_KEY, VIEWS

process.configure()  # torch's threads and glibc's malloc arenas, once per process
st.set_page_config(page_title="rnnclf · news classifiers", page_icon=":material/newspaper:", layout="wide")

rows = state.summary()
names = tuple(row.checkpoint for row in rows)
links.read(names)
with st.sidebar:
    st.title(":material/newspaper: rnnclf", anchor=False)
    loaded = [item.checkpoint for item in map(state.load, names) if item.checkpoint is not None]
    st.caption(sidebar.datasets_line(list({c.dataset.name: c.dataset for c in loaded}.values())))
    selected = sidebar.checkpoint_picker(rows, str(state.checkpoint_root()))
    calibrated = sidebar.calibration_toggle()
    lime = sidebar.lime_settings()
    report.sidebar_section(rows)

pages = {
    view.id: st.Page(view.script, title=view.title, icon=view.icon, url_path=view.id, default=view is VIEWS[0])
    for view in VIEWS
}
page = st.navigation(list(pages.values()), position="top")
if GOTO_KEY in st.session_state:  # a button asked for another view (see pages.go_to)
    st.switch_page(pages[st.session_state.pop(GOTO_KEY)])
if selected is not None:
    st.session_state[sidebar.CONTEXT_KEY] = sidebar.Context(selected, names, tuple(rows), lime, calibrated)
    page.run()
    links.write(BY_ID.get(page.url_path, VIEWS[0]), names)
    state.warm_explainer()
