from django.dispatch import Signal

# sent inside the review transaction: destination, actor, approved (bool)
destination_reviewed = Signal()
