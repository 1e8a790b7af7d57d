"""Licence and attribution text that every page, export and README carries."""

OGL = "Open Government Licence v3.0"
#: ONS's required attribution for its boundary products.
OS_ATTRIBUTION = "Contains OS data © Crown copyright and database right 2023"
ONS_ATTRIBUTION = f"Source: Office for National Statistics licensed under the {OGL}"
#: Everything public sector in data/ is under the OGL; mySociety's name lookup is CC BY 4.0.
MYSOCIETY_ATTRIBUTION = (
    "Council names and aliases: mySociety, uk_local_authority_names_and_codes (CC BY 4.0)"
)
DATA_VINTAGES = (
    ("Council and region boundaries", "ONS Counties and Unitary Authorities and Regions, "
     "December 2023 (generalised, clipped)"),
    ("Population", "ONS mid-2020 population estimates (MYE2)"),
    ("Deprivation", "MHCLG English Indices of Deprivation 2019, upper-tier summaries"),
    ("Adult social care outcomes", "NHS Digital ASCOF 2020-21, council outcomes"),
)


def attribution_lines() -> list[str]:
    """Return the attribution lines, in the order the footer and About page show them."""
    return [ONS_ATTRIBUTION, OS_ATTRIBUTION, MYSOCIETY_ATTRIBUTION]
