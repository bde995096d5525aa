"""The Gradio chat: ask, read the cited answer, open every citation and check it.

Gradio reads this variable when it decides whether to phone home; set it before any
module here imports gradio, so the app never reaches the network for analytics.
"""

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
