"""The Gradio chat: ask, read the cited answer, open every citation and check it.

Gradio and huggingface_hub read these variables when first imported; set them before
any module here imports gradio, so the app never reaches the network for analytics,
version checks or hub look-ups (the embedding model is on disk).
"""

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
