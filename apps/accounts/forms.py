from django import forms


class GraduateLoginForm(forms.Form):
    school_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    school_keyword = forms.CharField(label="院校", required=False, max_length=100)
    name = forms.CharField(label="姓名", max_length=50, required=False)
    student_number = forms.CharField(label="学号", max_length=40, required=False)
    id_number = forms.CharField(label="身份证号", max_length=40, required=False)


class StaffLoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, max_length=128)


class PinForm(forms.Form):
    pin = forms.CharField(label="签约密码（6位数字）", max_length=6, widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}))
    pin_again = forms.CharField(label="再次输入签约密码", max_length=6, widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}))
