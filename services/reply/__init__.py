"""Reply: plans replies and acknowledgements on the recommended channel, with the channel's
visible response deadline, and tracks the deadlines."""
