"""Component ids, prefixed by page, so no two pages can collide."""

# Map page (/)
MAP_INDICATOR = "map-indicator"
MAP_CLASS_METHOD = "map-class-method"
MAP_REGION = "map-region"
MAP_SEARCH_INPUT = "map-search-input"
MAP_SEARCH_BUTTON = "map-search-button"
MAP_SEARCH_MESSAGE = "map-search-message"
MAP_GRAPH = "map-graph"
MAP_LEGEND = "map-legend"
MAP_CAPTION = "map-caption"
MAP_TABLE = "map-table"
MAP_SELECTED = "map-selected-council"
MAP_COUNCIL_PANEL = "map-council-panel"
MAP_URL = "map-url"
MAP_DEFINITION = "map-definition"

# About page (/about)
ABOUT_DATASETS = "about-datasets"
ABOUT_SURVEY = "about-survey"
ABOUT_INVENTORIES = "about-inventories"
ABOUT_DEMO_NOTICE = "about-demo-notice"
