"""The tabs a view can send the user to, and the session key that holds the open one.

`st.tabs(key=VIEW_KEY, on_change="rerun")` lets a callback set the open tab, so a button that loads a
test example can also show it where it is read.
"""

VIEW_KEY = "view"
PROBE = ":material/search: Probe"
COMPARE = ":material/compare_arrows: Compare"
