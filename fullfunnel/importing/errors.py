"""Import errors a user can cause: each message is one sentence saying what is wrong and what to do."""
from fullfunnel import FullfunnelError


class ImportRefused(FullfunnelError):
    """The file cannot be imported; the database is unchanged. Carries the sentence in Russian too."""

    def __init__(self, message: str, ru: str | None = None):
        super().__init__(message)
        self.ru = ru

    def text(self, lang: str = "en") -> str:
        return self.ru if lang == "ru" and self.ru else str(self)


def message(e: Exception, lang: str = "en") -> str:
    """The sentence of a user-caused error in the page's language."""
    return e.text(lang) if isinstance(e, ImportRefused) else str(e)
