"""The programme register: ESF+ participants, their Annex I indicators and the funder's monthly report to SCB.

Personal data lives only in the register's database (personnummer and special categories encrypted with a key kept
outside it); nothing of it is published except counts through lce_utils.privacy."""
