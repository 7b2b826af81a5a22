"""The six landing file shapes of docs/data_contracts.md, built from lead records.

Each builder returns a frame with ``_file`` (path relative to landing), ``_rec`` (record
key for the ground truth) and the file's columns in contract order, all as text.
"""

from .hubspot import HUBSPOT_COLUMNS, hubspot
from .purchased_lists import ADRESSDIREKT_COLUMNS, LEADSOURCE_COLUMNS, adressdirekt, leadsource_eu
from .salesforce import (
    SALESFORCE_API_COLUMNS,
    SALESFORCE_REPORT_COLUMNS,
    salesforce_api,
    salesforce_report,
)
from .web_forms import web_forms

BUILDERS = {
    "adressdirekt": adressdirekt, "leadsource_eu": leadsource_eu, "web_forms": web_forms,
    "hubspot": hubspot, "salesforce_api": salesforce_api, "salesforce_report": salesforce_report,
}
HEADERS = {
    "adressdirekt": ADRESSDIREKT_COLUMNS, "leadsource_eu": LEADSOURCE_COLUMNS, "hubspot": HUBSPOT_COLUMNS,
    "salesforce_api": SALESFORCE_API_COLUMNS, "salesforce_report": SALESFORCE_REPORT_COLUMNS,
}
