"""The record: the model's answers, the prompts and calls that ask for them, and reconciliation into one
grounded record per notice. Pure: the model step is two functions (``calls``), never a client.

    answers    the closed answer schemas, built per chunk
    prompts    prompt files rendered by a pure function
    calls      chunk -> request body, reply -> validated answer or error (every engine shares them)
    reconcile  merge the rules' and the model's answers, ground every field, check every number
    pipeline   one notice's path: analyse (rules) -> results -> record
"""
