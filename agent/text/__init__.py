"""Text rules: from a file to the notice's structure, its figures and the model's work units. Pure and fast.

    ingest    decode any encoding, strip web boilerplate, one paragraph per line (the spans' text)
    finder    which files a batch reads (globs, folders, links, each file once)
    grammar   paragraph markers (一、 (一) 1. 一是 反馈问题: 整改情况:) and the heading tree
    outline   title, meta line, opening, sign-off, contact; hands the page to the recognizers
    findings  one recognizer per way notices list their findings (headed, inline, prose, paragraphs)
    figures   money, counts, %, measures, durations, dates, phones, each with its span (numerals: 三个, 两村)
    rules     what the rules answer on their own: doc type, inspection facts, status, roles, categories, totals
    chunks    the header and the findings the rules leave open, as the model's closed questions
"""
