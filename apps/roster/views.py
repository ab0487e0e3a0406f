from django.http import HttpResponse


def imports_view(request):
    return HttpResponse("TODO")


def duplicates_view(request):
    return HttpResponse("TODO")
