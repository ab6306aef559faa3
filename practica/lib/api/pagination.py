from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """``?page=N&page_size=M`` with at most 100 per page (API.md)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
