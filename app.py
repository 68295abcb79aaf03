from koki_site import create_app

app = create_app()
