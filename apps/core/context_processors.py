from django.conf import settings


def platform(request):
    return {"PLATFORM_NAME": getattr(settings, "PLATFORM_NAME", "大学生就业服务平台")}
