"""Why a model predicts what it does: the shared word model, LIME and the other attribution methods,
their faithfulness, counterfactual edits."""
