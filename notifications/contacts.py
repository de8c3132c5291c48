from notifications.models import Contact


def set_contact(user, email="", line_id=""):
    """Set a user's own e-mail and LINE ID, validated as the settings page does.

    Raises ValidationError (Thai messages) and saves nothing on a bad address.
    """
    contact = Contact.objects.filter(user=user).first() or Contact(user=user)
    contact.email = email.strip()
    contact.line_id = line_id.strip()
    contact.full_clean()
    contact.save()
    return contact
