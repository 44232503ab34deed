"""workbook_tools: a municipality's budget follow-up, run through Excel.

Finance keeps a master list of the budget agreement's elements; `followup generate`
makes one locked workbook per committee and round; staff fill in status texts and
smileys; `followup collect` validates the returns and merges them into an overview
and a report per committee.
"""

__version__ = "0.1.0"
