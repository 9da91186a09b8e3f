"""The web channel: an HTTP API (chat, streaming, search, feedback, OpenAI-compatible
chat completions) and an embeddable chat widget. The app factory is `bots.web.app.create_app`."""
