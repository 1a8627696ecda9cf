"""The weekly CCHC bulletin: draft from stored articles (draft.py), edit by hand, render (render.py)."""
