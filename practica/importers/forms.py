from __future__ import annotations

from django import forms


class ImportUploadForm(forms.Form):
    upload = forms.FileField(
        label="Dump archive", help_text="A .zip or .7z of one Stack Exchange site's dump folder (Posts.xml, Users.xml, …)."
    )
    site = forms.CharField(required=False, max_length=100, help_text="Site name for external ids; default: the archive's name (physics.stackexchange.com.7z → physics).")
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Import only content created before."
    )
