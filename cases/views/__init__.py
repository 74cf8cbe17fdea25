"""Case pages, split by area: lists, the case page, and the forms that write."""
