from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Who may call the API and how often, and the administrators' changes to accounts."""

    name = "beaconport.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"
