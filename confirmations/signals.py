"""What confirmations tell the apps above them (notifications listens), inside the writer's
transaction: a receiver's writes commit or roll back with the rows."""

from django.dispatch import Signal

# district, fiscal_month, rows (the MonthlySale rows sent back), reason, user
rows_sent_back = Signal()
# district, fiscal_month, confirmed (how many rows this save confirmed), user
district_confirmed = Signal()
