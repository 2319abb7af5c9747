"""The demonstration: a feed of raw inquiries over every channel, and a summary of the result."""
