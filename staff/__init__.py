"""Staff curation: accounts, audit log, approved FAQs, local corrections, review queue and
analytics, on the same database as the catalogue and conversations.

Dependencies: bots.staff (HTTP) → staff → assistant → knowledge. The `Assistant` only knows
the `assistant.curated.Curation` protocol; `staff.curation.StaffCuration` implements it.
"""
