from django.http import HttpResponse


def browse_view(request):
    return HttpResponse("TODO")
