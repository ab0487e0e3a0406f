from django_tasks import task


@task()
def echo(value: str) -> str:
    """A task with no side effects: proves a backend and its workers carry work end to end."""
    return value
