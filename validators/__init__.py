"""Field normalization, check digits, 和暦 dates, statutory arithmetic and the rule engine.

Pure functions over normalized field values; nothing here touches the database or the network.
"""
